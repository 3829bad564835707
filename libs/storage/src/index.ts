export {
  ObjectStore,
  StorageError,
  type ByteRange,
  type MultipartUploadRef,
  type ObjectInfo,
  type PutStreamOptions,
  type S3Settings,
  type StoredObject,
  type UploadedPart,
} from './object-store.js';
export { StorageModule } from './storage.module.js';
