'use strict';
/**
 * Lets plain Node require the package's TypeScript sources, compiled file by file with the
 * project's own compiler options (tsconfig.json: what `n8n-node build` emits), as ts-jest does for
 * the tests. The engine harness (test/helpers/engine.js) then loads the nodes exactly as in jest.
 * Compiled files are cached on disk (keyed by path, size and mtime) and `precompile()` fills the
 * cache, so measured processes never load the TypeScript compiler (a real n8n does not either).
 */
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '../..');
const cacheDir = path.join(os.tmpdir(), 'dn-bench-ts-cache');
let compilerOptions;

function compile(source, filename) {
	const ts = require('typescript');
	if (!compilerOptions) {
		const { config } = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
		const { options } = ts.convertCompilerOptionsFromJson(config.compilerOptions, root);
		compilerOptions = {
			...options,
			sourceMap: false,
			inlineSourceMap: false,
			declaration: false,
			incremental: false,
		};
	}
	return ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
}

function compiled(filename) {
	const stat = fs.statSync(filename);
	const key = crypto
		.createHash('sha1')
		.update(`${filename}:${stat.size}:${stat.mtimeMs}`)
		.digest('hex');
	const cached = path.join(cacheDir, `${key}.js`);
	if (fs.existsSync(cached)) return fs.readFileSync(cached, 'utf8');
	const output = compile(fs.readFileSync(filename, 'utf8'), filename);
	fs.mkdirSync(cacheDir, { recursive: true });
	fs.writeFileSync(cached, output);
	return output;
}

/** Compiles every source of nodes/ and credentials/ into the cache. */
function precompile() {
	const walk = (dir) =>
		fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
			const full = path.join(dir, entry.name);
			if (entry.isDirectory()) return walk(full);
			return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
		});
	for (const file of [...walk(path.join(root, 'nodes')), ...walk(path.join(root, 'credentials'))])
		compiled(file);
}

if (!require.extensions['.ts']) {
	require.extensions['.ts'] = (module, filename) => module._compile(compiled(filename), filename);
}

module.exports = { precompile };
