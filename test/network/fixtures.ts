/**
 * Fixtures for CNI tests with Debian's real plugins: a bridge + host-local
 * network in a temp config dir, on a bridge and a private 10.99.x.0/24
 * subnet unique to this test process, with the IPAM leases in a temp dir.
 *
 * By default the bridge gets no IP (isGateway false) and nothing masquerades:
 * the host gets no route and no iptables rule, only an L2 bridge between the
 * namespaces the test creates. `cleanup()` removes the bridge, every namespace
 * still mounted under the temp dir, and the dir, even after a failed test.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { unescapeMountPath } from '../../src/agent/containerizer/network/netns.js';

export const DEBIAN_CNI_DIR = '/usr/lib/cni';

/** Why a real CNI test cannot run here, or undefined when it can. */
export function skipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root';
  for (const plugin of ['bridge', 'host-local', 'portmap']) {
    try {
      accessSync(join(DEBIAN_CNI_DIR, plugin), constants.X_OK);
    } catch {
      return `needs ${DEBIAN_CNI_DIR}/${plugin} (apt-get install containernetworking-plugins)`;
    }
  }
  for (const tool of ['ip', 'unshare', 'nsenter', 'iptables']) {
    if (spawnSync(tool, ['--version']).error) return `needs ${tool} (apt-get install iproute2 util-linux iptables)`;
  }
  return undefined;
}

export interface TestNetwork {
  readonly name: string;
  readonly bridge: string;
  /** "10.99.N" */
  readonly prefix: string;
  readonly subnet: string;
  readonly dir: string;
  readonly configDir: string;
  readonly runtimeDir: string;
  /** host-local's dataDir: one file per leased IP under <ipamDir>/<network name>/. */
  readonly ipamDir: string;
  /** Leased IPs (the lease file names). */
  leases(): string[];
  cleanup(): void;
}

export interface TestNetworkOptions {
  /** Give the bridge the gateway IP (needed to reach containers from the host, e.g. through portmap). */
  readonly gateway?: boolean;
  /** Extra plugins appended to the list (portmap, a fake failing plugin ...). */
  readonly extraPlugins?: readonly object[];
}

/** A distinct third octet per process and tag, so concurrent test files never share a subnet. */
function subnetOctet(tag: string): number {
  let hash = process.pid;
  for (const c of tag) hash = (hash * 31 + c.charCodeAt(0)) % 100_003;
  return 20 + (hash % 230);
}

export function makeTestNetwork(tag: string, options: TestNetworkOptions = {}): TestNetwork {
  const dir = mkdtempSync(join(tmpdir(), `mesoscale-cni-${tag}-`));
  const name = `mstest-${tag}`;
  // Linux interface names are at most 15 characters.
  const bridge = `msc${tag.slice(0, 4)}${process.pid % 100_000}`.slice(0, 15);
  const prefix = `10.99.${subnetOctet(tag)}`;
  const subnet = `${prefix}.0/24`;
  const configDir = join(dir, 'net.d');
  const runtimeDir = join(dir, 'run');
  const ipamDir = join(dir, 'ipam');
  for (const d of [configDir, runtimeDir, ipamDir]) mkdirSync(d, { recursive: true });
  const conflist = {
    cniVersion: '1.0.0',
    name,
    plugins: [
      {
        type: 'bridge',
        bridge,
        isGateway: options.gateway === true,
        ipMasq: false,
        hairpinMode: false,
        ipam: { type: 'host-local', dataDir: ipamDir, ranges: [[{ subnet, gateway: `${prefix}.1` }]] },
      },
      ...(options.extraPlugins ?? []),
    ],
  };
  writeFileSync(join(configDir, `10-${name}.conflist`), JSON.stringify(conflist, null, 2));
  return {
    name,
    bridge,
    prefix,
    subnet,
    dir,
    configDir,
    runtimeDir,
    ipamDir,
    leases: () => {
      try {
        return readdirSync(join(ipamDir, name)).filter((f) => /^\d+\.\d+\.\d+\.\d+$/.test(f));
      } catch {
        return [];
      }
    },
    cleanup: () => {
      for (const mountPoint of mountsUnder(dir)) spawnSync('umount', ['-l', mountPoint]);
      spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Mount points at or below `dir` (namespace files a failed test left), deepest first. */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m !== undefined)
    .map(unescapeMountPath)
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** True when a network interface with this name exists in the host namespace. */
export function linkExists(name: string): boolean {
  return spawnSync('ip', ['link', 'show', name], { stdio: 'ignore' }).status === 0;
}

/** Names of the host's veth interfaces (each container attachment adds one). */
export function hostVeths(): string[] {
  const out = execFileSync('ip', ['-o', 'link', 'show', 'type', 'veth'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => /^\d+: ([^@:]+)/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
}

/** Runs a command inside a network namespace and returns its stdout. */
export function inNetns(netnsPath: string, command: readonly string[]): string {
  return execFileSync('nsenter', [`--net=${netnsPath}`, '--', ...command], { encoding: 'utf8', timeout: 10_000 });
}

/**
 * Starts a one-shot TCP server inside a namespace (node under nsenter): it
 * answers the first connection with `reply` and exits. Resolves when listening.
 */
export async function serveOnceInNetns(netnsPath: string, port: number, reply: string): Promise<{ done: Promise<void> }> {
  const script = `const s=require('node:net').createServer((c)=>{c.end(${JSON.stringify(reply)});s.close();});s.listen(${port},'0.0.0.0',()=>console.log('listening'));setTimeout(()=>process.exit(3),20000).unref();`;
  const child = spawn('nsenter', [`--net=${netnsPath}`, '--', process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (s: string) => s.includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`server in ${netnsPath} exited with ${code} before listening`)));
  });
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { done };
}

/** Connects from inside a namespace (or the host when `netnsPath` is undefined) and returns what the server sent. */
export function fetchTcp(netnsPath: string | undefined, host: string, port: number): string {
  const script = `const c=require('node:net').connect(${port},${JSON.stringify(host)});let d='';c.setEncoding('utf8');c.on('data',(x)=>d+=x);c.on('end',()=>{process.stdout.write(d)});c.on('error',(e)=>{console.error(e.message);process.exit(1)});setTimeout(()=>{console.error('timeout');process.exit(2)},5000).unref();`;
  const command = [process.execPath, '-e', script];
  return netnsPath === undefined
    ? execFileSync(command[0]!, command.slice(1), { encoding: 'utf8', timeout: 10_000 })
    : inNetns(netnsPath, command);
}
