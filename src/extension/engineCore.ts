// The engine side of a build (gRPC, protobuf codecs, dockerode): about 80% of the extension's
// code. It is bundled into its own file (dist/engineCore.js) and required on first use, so the
// extension activates without parsing it.
export { startBuild } from '../buildkit/build';
export { connectEngine } from '../engine/connect';
export { watchHistory } from '../buildkit/history';
export { attachBuild, engineBuildForCompare } from '../buildkit/attach';
