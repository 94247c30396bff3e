'use strict';
// Our package exactly as users get it: built, packed with `npm pack`, and installed into an n8n user
// folder the way n8n's community-package installer does it.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { run } = require('./proc');
const { cleanNpmEnv } = require('./install');
const { makeLogger } = require('./log');

const log = makeLogger('package');
const repoRoot = path.resolve(__dirname, '..', '..');
const BUILD_INPUTS = ['nodes', 'credentials', 'package.json', 'tsconfig.json'];

// temp dirs (exported commit, packed tarball) live until the process ends
const tempDirs = [];
function makeTempDir(prefix) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	tempDirs.push(dir);
	return dir;
}
process.on('exit', () => {
	if (process.env.E2E_KEEP) return;
	for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function newestMtime(p) {
	if (!fs.existsSync(p)) return 0;
	const st = fs.statSync(p);
	if (!st.isDirectory()) return st.mtimeMs;
	let newest = st.mtimeMs;
	for (const entry of fs.readdirSync(p))
		newest = Math.max(newest, newestMtime(path.join(p, entry)));
	return newest;
}

/** Oldest mtime among the files under dir (Infinity when there are none). */
function oldestFileMtime(p) {
	if (!fs.existsSync(p)) return 0;
	const st = fs.statSync(p);
	if (!st.isDirectory()) return st.mtimeMs;
	let oldest = Infinity;
	for (const entry of fs.readdirSync(p))
		oldest = Math.min(oldest, oldestFileMtime(path.join(p, entry)));
	return oldest;
}

function readPackageJson(dir = repoRoot) {
	return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
}

/** Every file the package.json `n8n` section promises must exist in dist, or n8n fails to load the package. */
function missingDistFiles(dir = repoRoot) {
	const { n8n } = readPackageJson(dir);
	return [...(n8n.credentials || []), ...(n8n.nodes || [])].filter(
		(f) => !fs.existsSync(path.join(dir, f)),
	);
}

/** Runs `npm run build` in dir when its dist is missing or older than its sources. */
async function buildIfStale(dir = repoRoot) {
	const dist = path.join(dir, 'dist');
	const sources = Math.max(...BUILD_INPUTS.map((p) => newestMtime(path.join(dir, p))));
	// a build rewrites every file: any source newer than the oldest output means dist is stale.
	// Files declared but not produced (nodes still being written) do not force a rebuild: it would not help.
	const built = fs.existsSync(dist) ? oldestFileMtime(dist) : 0;
	if (built !== Infinity && built >= sources) return false;
	log(`building the package (npm run build${dir === repoRoot ? '' : ` in ${dir}`})`);
	await run('npm', ['run', 'build'], { cwd: dir });
	return true;
}

/**
 * A copy of the last commit (git archive HEAD) with the repo's node_modules linked in: builds
 * what is committed, unaffected by half-written files in a shared working tree.
 */
async function exportHead() {
	const dir = makeTempDir('dn-head-');
	await run('sh', ['-c', 'git archive --format=tar HEAD | tar -x -C "$0"', dir], { cwd: repoRoot });
	fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
	const { stdout } = await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot });
	log(`building from commit ${stdout.trim()} (E2E_PACKAGE_SOURCE=head)`);
	return dir;
}

/**
 * Builds if needed and packs the package into a fresh temp dir. Returns {tarball, name, version, nodes,
 * credentials, missing, root} where nodes/credentials are the dist files the package.json `n8n` section
 * declares and the build produced, and root the directory that was built.
 * With `allowMissing` (default), declared files that do not exist yet (another engineer still writing
 * them) are left out of the packed package.json instead of failing, so e2e runs on whatever exists.
 * `source`: 'worktree' (default: the files as they are) or 'head' (the last commit; env E2E_PACKAGE_SOURCE).
 */
async function packPackage({
	allowMissing = true,
	source = process.env.E2E_PACKAGE_SOURCE || 'worktree',
} = {}) {
	const root = source === 'head' ? await exportHead() : repoRoot;
	await buildIfStale(root);
	const missing = missingDistFiles(root);
	const pkg = readPackageJson(root);
	const present = (list) => (list || []).filter((f) => !missing.includes(f));
	if (missing.length && !allowMissing)
		throw new Error(`dist is missing files declared in package.json: ${missing.join(', ')}`);
	const outDir = makeTempDir('dn-pack-');
	let packDir = root;
	if (missing.length) {
		// pack from a staging copy whose package.json lists only what exists; the repo stays untouched
		log(
			`declared in package.json but not built (yet), left out of the packed package: ${missing.join(', ')}`,
		);
		packDir = path.join(outDir, 'staging');
		fs.mkdirSync(packDir);
		fs.cpSync(path.join(root, 'dist'), path.join(packDir, 'dist'), { recursive: true });
		for (const f of ['README.md', 'LICENSE', 'CHANGELOG.md']) {
			if (fs.existsSync(path.join(root, f)))
				fs.copyFileSync(path.join(root, f), path.join(packDir, f));
		}
		const staged = {
			...pkg,
			scripts: {},
			n8n: { ...pkg.n8n, credentials: present(pkg.n8n.credentials), nodes: present(pkg.n8n.nodes) },
		};
		fs.writeFileSync(path.join(packDir, 'package.json'), JSON.stringify(staged, null, 2));
	}
	const { stdout } = await run(
		'npm',
		['pack', '--json', '--ignore-scripts', '--pack-destination', outDir],
		{ cwd: packDir },
	);
	const [info] = JSON.parse(stdout);
	const tarball = path.join(outDir, info.filename);
	log(`packed ${info.filename} (${info.entryCount} files, ${Math.round(info.size / 1024)} kB)`);
	return {
		tarball,
		name: pkg.name,
		version: pkg.version,
		nodes: present(pkg.n8n.nodes),
		credentials: present(pkg.n8n.credentials),
		missing,
		root,
	};
}

/**
 * Installs a packed tarball into `<userFolder>/.n8n/nodes/node_modules/<name>` as n8n does: extract,
 * strip dev/peer/optional dependencies from its package.json, `npm install --ignore-scripts
 * --package-lock=false` there. Returns the install directory.
 */
async function installPackage(userFolder, tarball, { name = readPackageJson().name } = {}) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const target = path.join(nodesDir, 'node_modules', name);
	fs.rmSync(target, { recursive: true, force: true });
	fs.mkdirSync(target, { recursive: true });
	await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
	const pkgFile = path.join(target, 'package.json');
	const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
	delete pkg.devDependencies;
	delete pkg.peerDependencies;
	delete pkg.optionalDependencies;
	fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2));
	await run(
		'npm',
		[
			'install',
			'--ignore-scripts',
			'--package-lock=false',
			'--no-audit',
			'--no-fund',
			'--loglevel=warn',
		],
		{ cwd: target, env: cleanNpmEnv() },
	);
	// n8n keeps a package.json in nodes/ listing what it installed
	const nodesPkgFile = path.join(nodesDir, 'package.json');
	const nodesPkg = fs.existsSync(nodesPkgFile)
		? JSON.parse(fs.readFileSync(nodesPkgFile, 'utf8'))
		: { name: 'installed-nodes', private: true };
	nodesPkg.dependencies = { ...(nodesPkg.dependencies || {}), [name]: pkg.version };
	fs.writeFileSync(nodesPkgFile, JSON.stringify(nodesPkg, null, 2));
	return target;
}

module.exports = {
	repoRoot,
	packPackage,
	installPackage,
	buildIfStale,
	exportHead,
	missingDistFiles,
	readPackageJson,
};
