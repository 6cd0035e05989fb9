/**
 * A framework for agent tests, driven on the wire: the raw JSON scheduler
 * client of test/master (so every assertion is on what the master sent)
 * plus the few habits of a real scheduler the agent tests need:
 *
 *   - launch(): takes the oldest unused, unrescinded offer with room for the
 *     task and its executor and ACCEPTs the task on it with refuse_seconds 0,
 *     so the rest comes back at once (leftover offers are simply kept);
 *   - every UPDATE carrying a uuid is ACKNOWLEDGEd, except for tasks in
 *     `manualAck` (the test acknowledges those itself, with acknowledge()).
 *
 * Task, executor and offer JSON is written as Mesos spells it (reference 2).
 */
import assert from 'node:assert/strict';

import { call, subscribe, type RawSubscription } from '../master/raw-scheduler.js';

export interface FrameworkOptions {
  name?: string;
  /** e.g. ['TASK_KILLING_STATE'] */
  capabilities?: readonly string[];
}

/** The scalar resources of a task or executor, as Mesos JSON. */
export function scalars(cpus: number, mem: number): unknown[] {
  return [
    { name: 'cpus', type: 'SCALAR', scalar: { value: cpus } },
    { name: 'mem', type: 'SCALAR', scalar: { value: mem } },
  ];
}

/** The task's fields other than its ids and resources: `command` or `executor`, `kill_policy` ... */
export type TaskFields = Record<string, unknown>;

function sumScalars(resources: readonly any[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const r of resources) if (r.type === 'SCALAR') sums.set(r.name, (sums.get(r.name) ?? 0) + r.scalar.value);
  return sums;
}

export const base64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
export const fromBase64 = (data: string | undefined): string => Buffer.from(data ?? '', 'base64').toString('utf8');

export class WireFramework {
  readonly id: string;
  readonly sub: RawSubscription;
  /** Tasks whose updates the test acknowledges itself. */
  readonly manualAck = new Set<string>();
  readonly #masterUrl: string;
  readonly #usedOffers = new Set<string>();
  #acked = 0;
  readonly #ackLoop: NodeJS.Timeout;
  readonly #ackErrors: string[] = [];

  private constructor(masterUrl: string, sub: RawSubscription, id: string) {
    this.#masterUrl = masterUrl;
    this.sub = sub;
    this.id = id;
    this.#ackLoop = setInterval(() => void this.#autoAck(), 20);
  }

  static async subscribe(masterUrl: string, options: FrameworkOptions = {}): Promise<WireFramework> {
    const sub = await subscribe(masterUrl, {
      type: 'SUBSCRIBE',
      subscribe: {
        framework_info: {
          user: 'root',
          name: options.name ?? 'agent-test',
          capabilities: (options.capabilities ?? []).map((type) => ({ type })),
        },
      },
    });
    assert.equal(sub.status, 200, 'SUBSCRIBE');
    const subscribed = await sub.next((e) => e.type === 'SUBSCRIBED');
    return new WireFramework(masterUrl, sub, subscribed.subscribed.framework_id.value);
  }

  /** POSTs a call for this framework on its stream; asserts 202. */
  async call(type: string, fields: Record<string, unknown>): Promise<void> {
    const answer = await call(this.#masterUrl, { type, framework_id: { value: this.id }, ...fields }, this.sub.streamId);
    assert.equal(answer.status, 202, `${type} answered ${answer.status}: ${answer.text}`);
  }

  /**
   * Launches one task on the next offer with room for it and returns the
   * agent id. `fields` adds `command` or `executor`, `kill_policy` ...
   */
  async launch(taskId: string, fields: TaskFields, resources = scalars(0.1, 32)): Promise<string> {
    const executor = fields.executor as { resources?: unknown[] } | undefined;
    const offer = await this.#nextOffer([...resources, ...(executor?.resources ?? [])]);
    const agentId: string = offer.agent_id.value;
    await this.call('ACCEPT', {
      accept: {
        offer_ids: [offer.id],
        operations: [{ type: 'LAUNCH', launch: { task_infos: [{ name: taskId, task_id: { value: taskId }, agent_id: { value: agentId }, resources, ...fields }] } }],
        filters: { refuse_seconds: 0 },
      },
    });
    return agentId;
  }

  /** Every status the scheduler received for the task, in order. */
  statuses(taskId: string): any[] {
    return this.sub.events.filter((e) => e.type === 'UPDATE' && e.update.status.task_id.value === taskId).map((e) => e.update.status);
  }

  /** The first status of the task in `state` (received already or later). */
  async waitForState(taskId: string, state: string, timeoutMs = 15_000): Promise<any> {
    const event = await this.sub.next(
      (e) => e.type === 'UPDATE' && e.update.status.task_id.value === taskId && e.update.status.state === state,
      timeoutMs,
    ).catch((err: Error) => {
      const seen = this.statuses(taskId).map((s) => `${s.state}${s.message !== undefined ? ` (${s.message})` : ''}`);
      throw new Error(`no ${state} for ${taskId}: ${err.message}; its updates: ${seen.join(', ') || 'none'}`, { cause: err });
    });
    return event.update.status;
  }

  async acknowledge(status: any): Promise<void> {
    await this.call('ACKNOWLEDGE', { acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } });
  }

  async kill(taskId: string, agentId: string, gracePeriodMs?: number): Promise<void> {
    await this.call('KILL', {
      kill: {
        task_id: { value: taskId },
        agent_id: { value: agentId },
        ...(gracePeriodMs !== undefined ? { kill_policy: { grace_period: { nanoseconds: gracePeriodMs * 1_000_000 } } } : {}),
      },
    });
  }

  /** Fails the test if an automatic ACKNOWLEDGE was refused. */
  assertAcksAccepted(): void {
    assert.deepEqual(this.#ackErrors, [], 'automatic acknowledgements');
  }

  close(): void {
    clearInterval(this.#ackLoop);
    this.sub.close();
  }

  /** The oldest offer not used yet, not rescinded, with at least the scalars in `needed`. */
  async #nextOffer(needed: unknown[]): Promise<any> {
    const need = sumScalars(needed);
    const rescinded = (id: string): boolean => this.sub.events.some((e) => e.type === 'RESCIND' && e.rescind.offer_id.value === id);
    const fits = (offer: any): boolean => {
      const has = sumScalars(offer.resources);
      return [...need].every(([name, amount]) => (has.get(name) ?? 0) >= amount - 1e-9);
    };
    const usable = (offer: any): boolean => !this.#usedOffers.has(offer.id.value) && !rescinded(offer.id.value) && fits(offer);
    const event = await this.sub.next((e) => e.type === 'OFFERS' && e.offers.offers.some(usable), 10_000);
    const offer = event.offers.offers.find(usable);
    this.#usedOffers.add(offer.id.value);
    return offer;
  }

  async #autoAck(): Promise<void> {
    const events = this.sub.events;
    while (this.#acked < events.length) {
      const event = events[this.#acked++];
      const status = event.type === 'UPDATE' ? event.update.status : undefined;
      if (status?.uuid === undefined || this.manualAck.has(status.task_id.value)) continue;
      try {
        await this.acknowledge(status);
      } catch (err) {
        this.#ackErrors.push((err as Error).message);
      }
    }
  }
}
