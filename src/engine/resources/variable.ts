/** A resource variable: a dtype, and a value once assigned. */
import type { DType } from "../../tensor/dtypes.js";
import type { NDArray } from "../../tensor/ndarray.js";
import type { Resource } from "./resource-manager.js";

export class VariableResource implements Resource {
  readonly kind = "Var";
  value: NDArray | null = null;

  constructor(readonly dtype: DType) {}

  describe(): Record<string, unknown> {
    return { dtype: this.dtype, initialized: this.value !== null, shape: this.value?.shape ?? null };
  }

  destroy(): void {
    this.value = null;
  }
}
