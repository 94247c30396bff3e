'use strict';
/**
 * Node and credential types for the engine harness, loaded the way a real n8n loads a community
 * package: n8n-core's own PackageDirectoryLoader reads package.json's `n8n` section, and each type
 * is registered as `<package name>.<node name>`. The only difference: the `dist/**.js` paths listed
 * in package.json are mapped to their TypeScript sources, which ts-jest compiles on require
 * (n8n-core's loader uses a plain `require` when NODE_ENV is `test`).
 *
 * Types load lazily, one file at a time, so a test of one node does not depend on the others.
 */
const path = require('path');

const { PackageDirectoryLoader } = require('n8n-core');
const { NodeHelpers, UnexpectedError } = require('n8n-workflow');

const REPO_ROOT = path.resolve(__dirname, '../..');

class SourcePackageLoader extends PackageDirectoryLoader {
	constructor() {
		super(REPO_ROOT);
	}

	/** `dist/nodes/X/Y.node.js` (as listed in package.json) → `<repo>/nodes/X/Y.node.ts`. */
	resolvePath(file) {
		const source = file.replace(/^(\.\/)?dist\//, '').replace(/\.js$/, '.ts');
		return path.resolve(this.directory, source);
	}

	get listedNodes() {
		return this.packageJson.n8n?.nodes ?? [];
	}

	get listedCredentials() {
		return this.packageJson.n8n?.credentials ?? [];
	}
}

let loader;
function packageLoader() {
	loader ??= new SourcePackageLoader();
	return loader;
}

function packageName() {
	return packageLoader().packageName;
}

/** `DemarcheNumeriqueTrigger.node.js` → `demarcheNumeriqueTrigger`, n8n's naming convention. */
function shortNameOf(listedPath, suffix) {
	const base = path.basename(listedPath, suffix);
	return base.charAt(0).toLowerCase() + base.slice(1);
}

const extraNodeTypes = new Map();
const extraCredentialTypes = new Map();

/**
 * Registers a test-only node type (the start node, or a node defined for a test) under its full
 * name, after the post-processing n8n's loader applies to package nodes (Poll Times for polling
 * nodes, CORS options for webhooks). Registering the same name twice keeps the first.
 */
function registerNodeType(fullName, nodeType) {
	if (extraNodeTypes.has(fullName)) return;
	const versions = 'nodeVersions' in nodeType ? Object.values(nodeType.nodeVersions) : [nodeType];
	for (const version of versions) packageLoader().applySpecialNodeParameters(version);
	extraNodeTypes.set(fullName, nodeType);
}

/** Registers a test-only credential type. */
function registerCredentialType(credentialType) {
	extraCredentialTypes.set(credentialType.name, credentialType);
}

/**
 * A node type by the name a workflow uses (`n8n-nodes-demarche-numerique.demarcheNumerique`),
 * its source loaded on first use through n8n-core's loader.
 */
function loadNodeType(fullName) {
	const extra = extraNodeTypes.get(fullName);
	if (extra) return extra;

	const pkgLoader = packageLoader();
	const prefix = `${pkgLoader.packageName}.`;
	if (!fullName.startsWith(prefix)) {
		throw new UnexpectedError(`Unknown node type "${fullName}" (not in ${pkgLoader.packageName})`);
	}
	const shortName = fullName.slice(prefix.length);
	if (!(shortName in pkgLoader.nodeTypes)) {
		const listed = pkgLoader.listedNodes.find((p) => shortNameOf(p, '.node.js') === shortName);
		if (!listed) {
			throw new UnexpectedError(`Node type "${fullName}" is not listed in package.json n8n.nodes`);
		}
		pkgLoader.loadNodeFromFile(listed, pkgLoader.packageJson.version);
		if (!(shortName in pkgLoader.nodeTypes)) {
			// n8n keys the type by description.name: a mismatch with the file name breaks installs.
			throw new UnexpectedError(
				`${listed} does not describe a node named "${shortName}" (description.name differs)`,
			);
		}
	}
	return pkgLoader.getNode(shortName).type;
}

/** A credential type by name, its source loaded on first use. */
function loadCredentialType(name) {
	const extra = extraCredentialTypes.get(name);
	if (extra) return extra;

	const pkgLoader = packageLoader();
	if (!(name in pkgLoader.credentialTypes)) {
		const listed = pkgLoader.listedCredentials.find(
			(p) => shortNameOf(p, '.credentials.js') === name,
		);
		if (!listed) {
			throw new UnexpectedError(`Credential type "${name}" is not listed in package.json`);
		}
		pkgLoader.loadCredentialFromFile(listed);
	}
	return pkgLoader.getCredential(name).type;
}

/** The INodeTypes the Workflow class and WorkflowExecute consult. */
const nodeTypes = {
	getByName: (type) => loadNodeType(type),
	getByNameAndVersion: (type, version) =>
		NodeHelpers.getVersionedNodeType(loadNodeType(type), version),
	getKnownTypes: () => {
		const known = {};
		for (const name of extraNodeTypes.keys()) known[name] = {};
		for (const listed of packageLoader().listedNodes) {
			known[`${packageName()}.${shortNameOf(listed, '.node.js')}`] = {};
		}
		return known;
	},
};

/** Parent credential types (`extends`), nearest first, as n8n's CredentialTypes reports them. */
function credentialParentTypes(name) {
	const parents = loadCredentialType(name).extends ?? [];
	return parents.flatMap((parent) => [parent, ...credentialParentTypes(parent)]);
}

module.exports = {
	REPO_ROOT,
	credentialParentTypes,
	loadCredentialType,
	loadNodeType,
	nodeTypes,
	packageName,
	registerCredentialType,
	registerNodeType,
};
