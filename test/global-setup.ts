import { execFileSync } from 'node:child_process';

/** The pages load htmx and the stylesheet from public/vendor, which the build copies in. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.mjs', '--assets'], { stdio: 'inherit' });
}
