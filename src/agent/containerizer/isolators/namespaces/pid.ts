/**
 * namespaces/pid: each container gets its own pid namespace, so its first
 * process is PID 1, it sees only its own processes, and killing that PID 1
 * takes the whole tree down (which is how the runtime destroys containers).
 * Requires filesystem/linux (a pid namespace needs its own /proc), checked in
 * the registry.
 */
import type { ContainerConfig, Isolator, LaunchInfo } from '../isolator.js';

export class NamespacesPidIsolator implements Isolator {
  readonly name = 'namespaces/pid';

  static create(): NamespacesPidIsolator {
    return new NamespacesPidIsolator();
  }

  async prepare(_config: ContainerConfig): Promise<LaunchInfo> {
    return { namespaces: ['pid'] };
  }
}
