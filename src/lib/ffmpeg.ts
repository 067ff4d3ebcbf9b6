import { execFile } from 'node:child_process';

/** Whether ffmpeg runs at `path`, and its version line when it does. */
export interface FfmpegStatus {
  readonly available: boolean;
  readonly path: string;
  readonly version: string | null;
  /** Why it is not available (not found, not runnable). */
  readonly problem: string | null;
}

function run(path: string, args: string[], timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // execFile: no shell, so a path or file name is never interpreted; the timeout kills a stuck run.
    execFile(path, args, { timeout: timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true }, (err, stdout, stderr) =>
      err ? reject(Object.assign(err, { stderr })) : resolve({ stdout, stderr }),
    );
  });
}

/** Runs `ffmpeg -version` once: Herald makes video posters only when this answers. */
export async function probeFfmpeg(path: string, timeoutMs = 10_000): Promise<FfmpegStatus> {
  try {
    const { stdout } = await run(path, ['-hide_banner', '-version'], timeoutMs);
    return { available: true, path, version: stdout.split('\n')[0]?.trim() || null, problem: null };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? `${path} was not found` : `${path} did not run (${(err as Error).message})`;
    return { available: false, path, version: null, problem: problem.slice(0, 300) };
  }
}

/**
 * Writes a video's first frame as a JPEG (`jpeg` must end in .jpg). `-frames:v 1` stops after one frame, so even a long
 * video costs a fraction of a second; the timeout bounds a damaged file.
 */
export async function firstFrame(path: string, video: string, jpeg: string, timeoutMs = 20_000): Promise<void> {
  await run(
    path,
    ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', '-i', video, '-frames:v', '1', '-q:v', '3', jpeg],
    timeoutMs,
  );
}
