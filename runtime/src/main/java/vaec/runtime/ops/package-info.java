/**
 * The graph's operations, one class per operation: its output width, its forward pass and, when
 * differentiable, its backward pass, nothing else. A backward pass overwrites each input's
 * gradient buffer it is handed; whether that buffer is the gradient itself or one the executor
 * adds in afterwards is the executor's decision ({@link vaec.runtime.exec.Executor}). Two abstract
 * bases are here because they are ops too: {@code Temperature} (relaxed ops whose temperature is
 * a setting that may follow a schedule) and {@code HostLogDensity} (densities computed element by
 * element on the host). What ops compute with lives in {@link vaec.runtime.kernels}.
 */
package vaec.runtime.ops;
