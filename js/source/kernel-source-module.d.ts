// #kernel-source (package.json "imports") resolves by condition to bytes.ts or workerd.ts, which
// both export a `source` of one interface: the type checker sees that interface, not one of them.
declare module "#kernel-source" {
  export const source: import("./kernel-source.js").KernelSource;
}
