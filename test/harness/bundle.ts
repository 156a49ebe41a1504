// One esbuild bundle of a TypeScript entry point as plain Node ESM: child processes and benchmarks
// run it without the TypeScript loader (faster start, no loader memory, no per-function wrappers).
export async function bundleForNode(entry: string, outfile: string): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['pg-native', 'esbuild'],
    // bundled CommonJS dependencies (pg) call require()
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    logLevel: 'silent',
  });
}
