/**
 * TextLineReader (text_line_reader_op.cc): one record per line, key "<file>:<line number>",
 * 1-based and counting the skipped header lines. The header skip applies to every file; a file
 * shorter than the header yields nothing. Lines end at "\n", lose one "\r" before it, and a final
 * "\n" adds no empty line (InputBuffer::ReadLine).
 */
import { InvalidArgumentError } from "../../errors/index.js";
import { InputBuffer } from "../io/input-buffer.js";
import { ReaderResource, workKey } from "./reader-base.js";
import type { ReadStep } from "./reader-base.js";

/** TF's kBufferSize for this reader: 256 KiB. */
const BUFFER_BYTES = 256 * 1024;

export class TextLineReader extends ReaderResource {
  readonly typeName = "TextLineReader";
  private input: InputBuffer | null = null;
  private lineNumber = 0;

  constructor(
    nodeName: string,
    private readonly skipHeaderLines: number,
  ) {
    super(nodeName);
    if (skipHeaderLines < 0) throw new InvalidArgumentError(`skip_header_lines must be >= 0 not ${skipHeaderLines}`);
  }

  protected override async onWorkStarted(): Promise<void> {
    await this.closeWork();
    this.lineNumber = 0;
    this.input = new InputBuffer(await this.openWork(), BUFFER_BYTES);
    for (; this.lineNumber < this.skipHeaderLines; this.lineNumber++) {
      // The end of the file during the skip is no error: the file just yields nothing.
      if ((await this.input.readLine(this.policy.maxTensorBytes)) === null) return;
    }
  }

  protected override onWorkFinished(): Promise<void> {
    return this.closeWork();
  }

  protected override async closeWork(): Promise<void> {
    const input = this.input;
    this.input = null;
    await input?.close();
  }

  protected async readLocked(): Promise<ReadStep> {
    const line = this.input ? await this.input.readLine(this.policy.maxTensorBytes) : null;
    // The counter moves before the result is looked at, as TF's does.
    this.lineNumber++;
    if (line === null) return { record: null, atEnd: true };
    return { record: { key: workKey(this.work, this.lineNumber), value: line }, atEnd: false };
  }
}
