/** dtypes as strings, TensorFlow's DataType enum numbers beside them. */
export type DType = "float32" | "float64" | "int32" | "int64" | "uint8" | "bool" | "string" | "resource";

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "int64", "uint8", "bool", "string", "resource"];

/** TensorFlow's DataType enum (types.proto). */
export const DATA_TYPE_NUMBER: Record<DType, number> = {
  float32: 1,
  float64: 2,
  int32: 3,
  uint8: 4,
  string: 7,
  int64: 9,
  bool: 10,
  resource: 20,
};

const byNumber = new Map<number, DType>(Object.entries(DATA_TYPE_NUMBER).map(([k, v]) => [v, k as DType]));

export function dtypeFromNumber(n: number): DType {
  const d = byNumber.get(n);
  if (!d) throw new TypeError(`Unsupported TensorFlow DataType ${n}`);
  return d;
}

export function isDType(x: unknown): x is DType {
  return typeof x === "string" && (DTYPES as readonly string[]).includes(x);
}

export function isFloating(d: DType): boolean {
  return d === "float32" || d === "float64";
}

/** Bytes per element for fixed-size dtypes; 0 for string and resource. */
export function bytesPerElement(d: DType): number {
  switch (d) {
    case "float64":
    case "int64":
      return 8;
    case "float32":
    case "int32":
      return 4;
    case "uint8":
    case "bool":
      return 1;
    default:
      return 0;
  }
}
