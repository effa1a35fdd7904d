import {createRequire as __k8sCreateRequire} from 'node:module'; const require = __k8sCreateRequire(import.meta.url);
import {
  SshError,
  connectionLost,
  isTransientSshError,
  translateConnectError,
  translateSudoFailure
} from "./chunk-OY4RZ6JO.mjs";
import "./chunk-PFGUMKWO.mjs";
import "./chunk-YOTFHUOA.mjs";
export {
  SshError,
  connectionLost,
  isTransientSshError,
  translateConnectError,
  translateSudoFailure
};
