// run.js with the scalar build forced: modules evaluate in import order, so the global is set
// before run.js's own imports load the package.
import "./force-scalar.js";
import "./run.js";
