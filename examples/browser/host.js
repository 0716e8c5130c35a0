// A browser host of build/iterl2norm.wasm that uses nothing but the ABI
// (docs/ABI.md): plain WebAssembly.instantiate, no Node APIs, no bundler, no
// loader. It exposes window.iterl2norm.layerNorm(rows, dim, opts) for the page.

/** Loads the module from `url` and returns a small normaliser over its exports. */
export async function loadIterL2Norm(url) {
  const bytes = await (await fetch(url)).arrayBuffer();
  const { instance } = await WebAssembly.instantiate(bytes, {}); // the module imports nothing
  const e = instance.exports;
  const constant = (name) => e[name].value;

  function layerNorm(x, dim, { gamma, beta, eps = 1e-5, preset = "paper" } = {}) {
    const n = x.length;
    const bytesX = n * 4;
    const bytesRow = dim * 4;
    // One block: [x | gamma | beta]; the output overwrites x (in place).
    const ptr = e.alloc(bytesX + 2 * bytesRow);
    try {
      const mem = () => new Float32Array(e.memory.buffer); // re-derive: alloc may have grown memory
      mem().set(x, ptr / 4);
      if (gamma) mem().set(gamma, (ptr + bytesX) / 4);
      if (beta) mem().set(beta, (ptr + bytesX + bytesRow) / 4);
      const policy = preset === "precise" ? constant("LAMBDA_NEWTON") : constant("LAMBDA_PAPER");
      const status = e.layer_norm(
        ptr,
        ptr,
        gamma ? ptr + bytesX : 0,
        beta ? ptr + bytesX + bytesRow : 0,
        n / dim,
        dim,
        eps,
        constant("METHOD_ITER"),
        policy,
        0,
        5,
        constant("QUAKE_MAGIC"),
        constant("FISR_QUAKE"),
      );
      if (status !== constant("STATUS_OK")) throw new Error(`layer_norm returned status ${status}`);
      return mem().slice(ptr / 4, ptr / 4 + n);
    } finally {
      e.free(ptr);
    }
  }

  return {
    layerNorm,
    abiVersion: constant("ABI_VERSION"),
    hasSimd: constant("HAS_SIMD") === 1,
    exports: Object.keys(e),
  };
}
