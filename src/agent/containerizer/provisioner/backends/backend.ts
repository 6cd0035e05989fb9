/**
 * A backend turns a list of extracted layers into one container root
 * filesystem (`--image_provisioner_backend`). Both operations are idempotent
 * and take plain paths; the provisioner owns the directory tree (paths.ts).
 */
export interface BackendLayer {
  readonly digest: string;
  /** The layer directory in the form this backend wants (overlay: whiteouts converted). */
  readonly path: string;
}

export interface Backend {
  readonly name: BackendName;
  /** Which layer form to hand to provision(). */
  readonly layerForm: 'aufs' | 'overlay';
  /** Builds `rootfs` (an empty directory) from `layers`, bottom layer first. `scratch` is the backend's own space. */
  provision(containerId: string, layers: readonly BackendLayer[], rootfs: string, scratch: string): Promise<void>;
  /** Unmounts / removes `rootfs` and `scratch`; tolerates either being absent. */
  destroy(containerId: string, rootfs: string, scratch: string): Promise<void>;
}

export const BACKEND_NAMES = ['copy', 'overlay'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
