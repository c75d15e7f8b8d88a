/**
 * PaddingFIFOQueue (TF's padding_fifo_queue.cc): a FIFOQueue whose component shapes may have
 * varying dims (-1). dequeue_many / dequeue_up_to pad each varying dim to the batch's largest
 * size with zeros (0, false, ""). The closed-queue texts of enqueue and single dequeue start
 * "FIFOQueue", because TF reuses FIFOQueue's code for them.
 */
import { InvalidArgumentError } from "../../errors/index.js";
import type { NDArray } from "../../tensor/ndarray.js";
import { FIFOQueue } from "./fifo-queue.js";
import type { QueueConfig } from "./queue-base.js";
import type { Element, PartialShape } from "./queue-elements.js";
import { compatibleShape, padStackComponent } from "./queue-elements.js";

export class PaddingFIFOQueue extends FIFOQueue {
  override readonly typeName: string = "PaddingFIFOQueue";

  constructor(config: QueueConfig) {
    const shapes = config.shapes ?? [];
    if (shapes.length !== config.componentTypes.length) {
      throw new InvalidArgumentError(
        `Shapes must be provided for all components, but received ${config.componentTypes.length} dtypes and ${shapes.length} shapes.`,
      );
    }
    super(config);
  }

  // FIFOQueue insists on fully defined shapes; varying dims are the point here.
  protected override requireFullyDefinedShapes(): void {}

  protected override get enqueueClosedPrefix(): string {
    return "FIFOQueue";
  }

  protected override get dequeueClosedPrefix(): string {
    return "FIFOQueue";
  }

  override shapeMatches(expected: PartialShape, actual: PartialShape): boolean {
    return compatibleShape(expected, actual);
  }

  protected override makeBatch(elements: Element[]): NDArray[] {
    return this.componentTypes.map((dtype, i) => padStackComponent(dtype, this.shapes[i]!, elements.map((e) => e[i]!)));
  }

  /** Shared PaddingFIFOQueues need only compatible partial shapes. */
  override requestedShapesMatch(shapes: readonly PartialShape[]): boolean {
    return shapes.length === this.shapes.length && shapes.every((s, i) => compatibleShape(s, this.shapes[i]!));
  }
}
