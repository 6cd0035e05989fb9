/**
 * A custom executor for agent tests: a separate process speaking the v1
 * executor HTTP API in JSON (reference section 4) with nothing but node:http,
 * so what the tests see is what the agent put on the wire. Not a test file:
 * tests launch it as `node dist/test/agent/json-executor.js` via
 * TaskInfo.executor.command.
 *
 *   SUBSCRIBED          remembered, reported with the first TASK_RUNNING
 *   LAUNCH              UPDATE TASK_RUNNING, data = JSON report (environment, SUBSCRIBED, task)
 *   KILL                UPDATE TASK_KILLED
 *   MESSAGE "exit"      exit(3) at once, leaving the task running
 *   MESSAGE other       MESSAGE call back with "echo:<data>"
 *   SHUTDOWN            UPDATE TASK_KILLED for every live task, then exit(0);
 *                       ignored when IGNORE_SHUTDOWN=1 (the agent must destroy us)
 *   stream ends         exit(0) (not checkpointing: nothing to recover)
 *
 * Every event is also appended as one JSON line to `executor-events.jsonl`
 * in the sandbox, so tests can check order and ACKNOWLEDGED on disk.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/** Also named in custom-executor.test.ts (importing this file would run it). */
const EVENTS_FILE = 'executor-events.jsonl';

interface RunningTask {
  readonly taskId: { value: string };
  terminal: boolean;
}

const env = process.env;
const endpoint = env.MESOS_AGENT_ENDPOINT!;
const frameworkId = { value: env.MESOS_FRAMEWORK_ID! };
const executorId = { value: env.MESOS_EXECUTOR_ID! };
const eventsFile = path.join(env.MESOS_SANDBOX ?? '.', EVENTS_FILE);
const tasks = new Map<string, RunningTask>();
let subscribed: unknown;

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const fromB64 = (data: string | undefined): string => Buffer.from(data ?? '', 'base64').toString('utf8');
const uuidBytes = (): string => Buffer.from(randomUUID().replace(/-/g, ''), 'hex').toString('base64');

async function post(body: Record<string, unknown>): Promise<void> {
  const response = await fetch(`http://${endpoint}/api/v1/executor`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ framework_id: frameworkId, executor_id: executorId, ...body }),
  });
  const text = await response.text();
  if (response.status !== 202) throw new Error(`${String(body.type)} answered ${response.status}: ${text}`);
}

async function update(task: RunningTask, state: string, data?: string): Promise<void> {
  if (state !== 'TASK_RUNNING') task.terminal = true;
  await post({
    type: 'UPDATE',
    update: {
      status: {
        task_id: task.taskId,
        state,
        source: 'SOURCE_EXECUTOR',
        uuid: uuidBytes(),
        ...(data !== undefined ? { data: b64(data) } : {}),
      },
    },
  });
}

/** What the tests check about how the agent started us. */
function report(task: unknown): string {
  const mesosEnv = Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('MESOS_') || name === 'LIBPROCESS_PORT'));
  return JSON.stringify({ env: mesosEnv, cwd: process.cwd(), subscribed, task });
}

async function handle(event: any): Promise<void> {
  appendFileSync(eventsFile, `${JSON.stringify(event)}\n`);
  switch (event.type) {
    case 'SUBSCRIBED':
      subscribed = event.subscribed;
      return;
    case 'LAUNCH': {
      const task: RunningTask = { taskId: event.launch.task.task_id, terminal: false };
      tasks.set(task.taskId.value, task);
      await update(task, 'TASK_RUNNING', report(event.launch.task));
      return;
    }
    case 'KILL': {
      const task = tasks.get(event.kill.task_id.value);
      if (task !== undefined && !task.terminal) await update(task, 'TASK_KILLED');
      return;
    }
    case 'MESSAGE': {
      const text = fromB64(event.message.data);
      if (text === 'exit') process.exit(3);
      await post({ type: 'MESSAGE', message: { data: b64(`echo:${text}`) } });
      return;
    }
    case 'SHUTDOWN':
      if (env.IGNORE_SHUTDOWN === '1') return;
      for (const task of tasks.values()) if (!task.terminal) await update(task, 'TASK_KILLED');
      process.exit(0);
  }
}

/** RecordIO: `<length>\n<bytes>`, repeated. */
function subscribe(): void {
  const req = http.request(`http://${endpoint}/api/v1/executor`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
  });
  req.on('response', (res) => {
    if (res.statusCode !== 200) {
      console.error(`SUBSCRIBE answered ${res.statusCode}`);
      process.exit(2);
    }
    let buffer = Buffer.alloc(0);
    let chain = Promise.resolve();
    res.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const newline = buffer.indexOf(0x0a);
        if (newline < 0) return;
        const length = Number(buffer.subarray(0, newline).toString('ascii'));
        if (buffer.length < newline + 1 + length) return;
        const event = JSON.parse(buffer.subarray(newline + 1, newline + 1 + length).toString('utf8'));
        buffer = buffer.subarray(newline + 1 + length);
        // One event at a time, in order, as an executor driver would.
        chain = chain.then(() => handle(event)).catch((err: unknown) => {
          console.error(err);
          process.exit(4);
        });
      }
    });
    res.on('end', () => void chain.then(() => process.exit(0)));
  });
  req.on('error', (err) => {
    console.error(err);
    process.exit(1);
  });
  req.end(JSON.stringify({ type: 'SUBSCRIBE', framework_id: frameworkId, executor_id: executorId, subscribe: {} }));
}

subscribe();
