// worker.js with the scalar build forced (see run-scalar.js).
import "./force-scalar.js";

export { default } from "./worker.js";
