/**
 * The value of a DT_RESOURCE tensor: where a resource lives and under which name
 * (TF's ResourceHandleProto: device, container, name, maybe_type_name).
 */
export interface ResourceHandle {
  /** Full device name of the owning device, e.g. /job:ps/replica:0/task:0/device:CPU:0 */
  device: string;
  container: string;
  name: string;
  /** Resource kind, e.g. "Var", "FIFOQueue". */
  kind: string;
}

