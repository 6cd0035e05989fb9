/**
 * filesystem/linux: a container with an image gets its own mount namespace
 * and root filesystem (the provisioner's rootfs), with the standard kernel
 * filesystems and the sandbox bind-mounted at `--sandbox_directory`, as Mesos'
 * filesystem/linux isolator sets up:
 *
 *   /proc      proc                       /sys       sysfs, read-only
 *   /dev       tmpfs (+ null zero full random urandom tty, fd/std* links: the runtime adds them)
 *   /dev/pts   devpts (newinstance)       /dev/shm   tmpfs
 *   /dev/mqueue mqueue                    <sandbox_directory>  bind of the host sandbox
 *
 * It also gives the container its own UTS and IPC namespaces (Mesos gets
 * these from namespaces/ipc and the network isolator; a container with its
 * own root filesystem and the host's IPC objects is never what is wanted).
 * MESOS_SANDBOX becomes the path inside the container (the runtime also
 * makes it the default working directory; only docker/runtime's WorkingDir
 * overrides it). Without an image it does nothing: the task runs
 * on the host filesystem in its host sandbox.
 */
import type { ContainerConfig, Isolator, LaunchInfo, MountSpec } from '../isolator.js';
import type { IsolatorOptions } from '../options.js';

/** The kernel filesystems every container with its own rootfs gets. */
export const STANDARD_MOUNTS: readonly MountSpec[] = [
  { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
  { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
  { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
  { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
  { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
];

export class FilesystemLinuxIsolator implements Isolator {
  readonly name = 'filesystem/linux';
  readonly #sandboxDirectory: string;

  constructor(sandboxDirectory: string) {
    this.#sandboxDirectory = sandboxDirectory;
  }

  static create(options: IsolatorOptions): FilesystemLinuxIsolator {
    return new FilesystemLinuxIsolator(options.sandboxDirectory);
  }

  async prepare(config: ContainerConfig): Promise<LaunchInfo> {
    if (config.rootfs === undefined) return {};
    return {
      namespaces: ['mount', 'uts', 'ipc'],
      mounts: [
        ...STANDARD_MOUNTS,
        { destination: this.#sandboxDirectory, type: 'bind', source: config.sandboxDir, options: ['rbind', 'rw'] },
      ],
      env: { MESOS_SANDBOX: this.#sandboxDirectory },
    };
  }
}
