/**
 * iterl2norm/kernel: the low tier. The loaded module's raw exports (pointers are
 * byte offsets into `kernel.memory`; the ABI is docs/ABI.md), its exported
 * constants, and which build was loaded. Nothing here validates: a caller of the
 * raw functions owns the memory it passes (allocate it with `kernel.alloc`, or
 * use a Workspace's views, whose byteOffset is a pointer). The typed-array API of
 * the package root is the validated tier over the same module instance.
 */
export { kernel, constants, build, type Build, type KernelConstants, type KernelExports } from "./wasm.js";
