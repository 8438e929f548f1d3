/**
 * What a Chaos Mesh KernelChaos does to the processes of the pods it injected, as a real kernel shows it.
 *
 * KernelChaos (failKernRequest) makes a kernel allocation fail inside the listed call chain, for the processes of the
 * selected pod only: failtype 0 fails a slab allocation (kmalloc), 1 a page allocation, both seen by the caller as
 * ENOMEM; 2 fails a block I/O (EIO). With the chain `__x64_sys_mount`, the mount(2) system call fails. `mount` copies
 * its arguments into kernel memory (a kmalloc) before it checks the caller's capability, so in an unprivileged
 * container, where mount(2) is normally refused with EPERM, it now fails with ENOMEM instead. A running Go service
 * never calls mount(2): its requests, logs and metrics are unchanged, and the one trace of the fault is what a mount
 * attempt in that pod answers, compared with the same attempt in another pod.
 */
import type { KubeObject, ObjectStore } from '../contracts';
import type { ShellResult } from '../cluster/shell';

const KERNEL_CHAOS = 'kernelchaos.chaos-mesh.org';
const MOUNT_FUNCTIONS = /(^|_)sys_mount$|^(do_mount|path_mount|ksys_mount|copy_mount_options|copy_mount_string)$/;

/** The errno text of the failed allocation, when an active KernelChaos fails the mount(2) call chain of this pod. */
function mountFailure(store: ObjectStore, pod: KubeObject): string | undefined {
  const id = `${pod.metadata.namespace}/${pod.metadata.name}`;
  for (const chaos of store.list(KERNEL_CHAOS)) {
    const experiment = (chaos.status as { experiment?: { desiredPhase?: string; containerRecords?: Array<{ id: string; phase: string }> } } | undefined)?.experiment;
    if (chaos.metadata.deletionTimestamp || experiment?.desiredPhase !== 'Run') continue;
    if (!experiment.containerRecords?.some((r) => r.id === id && r.phase === 'Injected')) continue;
    const request = (chaos.spec as { failKernRequest?: { callchain?: Array<{ funcname?: string }>; failtype?: number } } | undefined)?.failKernRequest;
    if (!request?.callchain?.some((f) => MOUNT_FUNCTIONS.test(String(f.funcname ?? '')))) continue;
    return request.failtype === 2 ? 'Input/output error' : 'Cannot allocate memory';
  }
  return undefined;
}

const MOUNTS = [
  'overlay on / type overlay (rw,relatime,lowerdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/41/fs,upperdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/42/fs,workdir=/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/42/work)',
  'proc on /proc type proc (rw,nosuid,nodev,noexec,relatime)',
  'tmpfs on /dev type tmpfs (rw,nosuid,size=65536k,mode=755)',
  'devpts on /dev/pts type devpts (rw,nosuid,noexec,relatime,gid=5,mode=620,ptmxmode=666)',
  'mqueue on /dev/mqueue type mqueue (rw,nosuid,nodev,noexec,relatime)',
  'sysfs on /sys type sysfs (ro,nosuid,nodev,noexec,relatime)',
  'cgroup on /sys/fs/cgroup type cgroup2 (ro,nosuid,nodev,noexec,relatime)',
  '/dev/root on /etc/hosts type ext4 (rw,relatime,discard,errors=remount-ro)',
  '/dev/root on /dev/termination-log type ext4 (rw,relatime,discard,errors=remount-ro)',
  'shm on /dev/shm type tmpfs (rw,nosuid,nodev,noexec,relatime,size=65536k)',
  'tmpfs on /run/secrets/kubernetes.io/serviceaccount type tmpfs (ro,relatime,size=3903532k)',
];

/**
 * util-linux `mount` and `umount` in an unprivileged container (as root, without CAP_SYS_ADMIN): listing reads the
 * mount table; mounting or unmounting is refused by the kernel, or fails as the KernelChaos makes it fail.
 */
export function mountTools(store: ObjectStore, pod: KubeObject, argv: string[]): ShellResult | undefined {
  const program = argv[0].split('/').pop();
  if (program !== 'mount' && program !== 'umount') return undefined;
  const args = argv.slice(1);
  const operands = args.filter((a, i) => !a.startsWith('-') && !['-t', '-o'].includes(args[i - 1] ?? ''));
  if (program === 'mount' && operands.length === 0) return { stdout: MOUNTS.join('\n') + '\n', stderr: '', exitCode: 0 };
  if (operands.length === 0) return { stdout: '', stderr: 'umount: bad usage\nTry \'umount --help\' for more information.\n', exitCode: 1 };
  const target = operands[operands.length - 1];
  const live = store.get('pods', pod.metadata.namespace, pod.metadata.name ?? '') ?? pod;
  const failure = program === 'mount' ? mountFailure(store, live) : undefined;
  if (failure) return { stdout: '', stderr: `mount: ${target}: mount(2) system call failed: ${failure}.\n`, exitCode: 32 };
  return { stdout: '', stderr: `${program}: ${target}: permission denied.\n`, exitCode: 32 };
}
