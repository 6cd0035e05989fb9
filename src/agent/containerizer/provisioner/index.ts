/** The provisioner's public surface: what the containerizer and the CLI use. */
export { createProvisioner, defaultStoreDir, importArchive, type ProvisionerConfig } from './create.js';
export { Provisioner, type ProvisionedRootfs, type ProvisionOptions, type ImageFetcher } from './provisioner.js';
export { type ContainerPath } from './paths.js';
export { BACKEND_NAMES, type BackendName } from './backends/backend.js';
export { type PullEvent, ImagePuller } from './puller/image-pull.js';
export { RegistrySource } from './puller/registry-source.js';
export { loadDockerConfigCredentials, type Credentials } from './puller/auth.js';
export { ImageStore, type GcResult } from './store/image-store.js';
export type { StoredImage } from './store/layout.js';
export { parseImageReference, canonicalName, type ImageReference } from './reference.js';
export * from './errors.js';
