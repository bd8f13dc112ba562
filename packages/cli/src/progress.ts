/** A progress line on the terminal; does nothing when the stream is not a TTY (piped, CI, tests). */
export interface Progress {
  update(phase: string, done: number, total: number): void;
  done(): void;
}

const WIDTH = 30;

/** A `phase [#####     ] done/total` bar redrawn in place on `stream` when it is a terminal. */
export function progressOnTerminal(stream: NodeJS.WriteStream): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let drawn = false;
  return {
    update(phase, done, total) {
      const filled = total === 0 ? WIDTH : Math.round((done / total) * WIDTH);
      stream.write(`\r${phase.padEnd(8)}[${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${done}/${total}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
