'use strict';
// Workflow files for e2e and the demo: example workflows (examples/*.json) and e2e-only templates
// (e2e/workflows/*.json with __PLACEHOLDER__ strings), bound to a credential and a platform URL,
// and checked against the operations the built package actually has.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { repoRoot } = require('./package');

const PACKAGE_NAME = 'n8n-nodes-demarche-numerique';
const CREDENTIAL_TYPE = 'demarcheNumeriqueApi';

/** A stable n8n workflow id (16 alphanumerics) derived from a file name, so re-imports overwrite. */
function workflowIdFor(key) {
	return crypto
		.createHash('sha256')
		.update(key)
		.digest('base64')
		.replace(/[^A-Za-z0-9]/g, '')
		.slice(0, 16);
}

/** Reads every *.json in dir (sorted). Returns [{file, key, raw}], raw being the file's text. */
function readWorkflowFiles(dir) {
	if (!fs.existsSync(dir)) return [];
	return fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((f) => ({
			file: path.join(dir, f),
			key: path.basename(f, '.json'),
			raw: fs.readFileSync(path.join(dir, f), 'utf8'),
		}));
}

/**
 * Replaces every `__NAME__` placeholder (upper case) with vars[NAME] in a JSON text. A value replacing a
 * whole JSON string ("__NAME__") keeps its JSON type, so numbers stay numbers. Unknown placeholders fail.
 */
function substitute(raw, vars, where) {
	const whole = raw.replace(/"__([A-Z][A-Z0-9_]*)__"/g, (m, name) => {
		if (!(name in vars))
			throw new Error(
				`${where}: unknown placeholder __${name}__ (known: ${Object.keys(vars).join(', ')})`,
			);
		return JSON.stringify(vars[name]);
	});
	return whole.replace(/__([A-Z][A-Z0-9_]*)__/g, (m, name) => {
		if (!(name in vars))
			throw new Error(
				`${where}: unknown placeholder __${name}__ (known: ${Object.keys(vars).join(', ')})`,
			);
		return String(vars[name]);
	});
}

/** Placeholder values for workflow templates: platform URL, credential, and every sandbox fact. */
function templateVars(platform, credential) {
	const vars = {
		SANDBOX_URL: platform.url,
		CREDENTIAL_ID: credential.id,
		CREDENTIAL_NAME: credential.name,
	};
	// facts {demarches: {subvention: 1002}, instructeurs: [{email}]} → DEMARCHES_SUBVENTION, INSTRUCTEURS_0_EMAIL
	const flatten = (value, prefix) => {
		if (value !== null && typeof value === 'object') {
			for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}_${k}` : k);
		} else if (prefix) {
			vars[prefix.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()] = value;
		}
	};
	flatten(platform.facts || {}, '');
	return vars;
}

/** Points every node that uses our credential type at `credential` ({id, name}). */
function bindCredential(workflow, credential) {
	for (const node of workflow.nodes || []) {
		if (
			node.type.startsWith(`${PACKAGE_NAME}.`) ||
			(node.credentials && node.credentials[CREDENTIAL_TYPE])
		) {
			node.credentials = {
				...(node.credentials || {}),
				[CREDENTIAL_TYPE]: { id: credential.id, name: credential.name },
			};
		}
	}
	return workflow;
}

/**
 * Loads the workflows to import: examples/*.json then e2e/workflows/*.json, placeholders substituted
 * with vars, credentials bound, ids assigned (kept when the file has one). Each entry:
 * {key, file, source: 'example' | 'e2e', workflow, checkFile, check (a function or null)}.
 * A check lives beside the file as <name>.check.js (e2e) or e2e/example-checks/<name>.check.js (examples).
 */
function loadWorkflows({ vars, credential, includeExamples = true, includeE2e = true }) {
	const sets = [];
	if (includeExamples)
		sets.push({
			source: 'example',
			dir: path.join(repoRoot, 'examples'),
			checks: path.join(repoRoot, 'e2e', 'example-checks'),
		});
	if (includeE2e)
		sets.push({
			source: 'e2e',
			dir: path.join(repoRoot, 'e2e', 'workflows'),
			checks: path.join(repoRoot, 'e2e', 'workflows'),
		});
	const out = [];
	for (const set of sets) {
		for (const { file, key, raw } of readWorkflowFiles(set.dir)) {
			const workflow = JSON.parse(substitute(raw, vars, file));
			workflow.id = workflow.id || workflowIdFor(`${set.source}/${key}`);
			workflow.name = workflow.name || key;
			bindCredential(workflow, credential);
			const checkFile = path.join(set.checks, `${key}.check.js`);
			out.push({
				key: `${set.source}/${key}`,
				file,
				source: set.source,
				workflow,
				checkFile: path.relative(repoRoot, checkFile),
				check: fs.existsSync(checkFile) ? require(checkFile) : null,
			});
		}
	}
	return out;
}

/**
 * What the built package offers: {types: Set of node type names ('demarcheNumerique', …),
 * operations: Set of 'resource.operation'} read from the dist files' descriptions.
 */
function packageCapabilities(distFiles, root = repoRoot) {
	const types = new Set();
	const operations = new Set();
	for (const rel of distFiles) {
		const mod = require(path.join(root, rel));
		for (const Exported of Object.values(mod)) {
			if (typeof Exported !== 'function') continue;
			let instance;
			try {
				instance = new Exported();
			} catch {
				continue;
			}
			const description =
				instance.description ||
				(instance.nodeVersions && Object.values(instance.nodeVersions).pop().description);
			if (!description || !description.name) continue;
			types.add(description.name);
			for (const prop of description.properties || []) {
				if (prop.name !== 'operation' || !Array.isArray(prop.options)) continue;
				const resources = (prop.displayOptions &&
					prop.displayOptions.show &&
					prop.displayOptions.show.resource) || [''];
				for (const r of resources) for (const o of prop.options) operations.add(`${r}.${o.value}`);
			}
		}
	}
	return { types, operations };
}

/** What a workflow needs from our package that the build lacks (empty when it can run). */
function missingCapabilities(workflow, caps) {
	const missing = [];
	for (const node of workflow.nodes || []) {
		if (!node.type.startsWith(`${PACKAGE_NAME}.`)) continue;
		const type = node.type.slice(PACKAGE_NAME.length + 1);
		if (!caps.types.has(type)) {
			missing.push(`node ${type}`);
			continue;
		}
		const p = node.parameters || {};
		if (type === 'demarcheNumerique' && p.operation) {
			const op = `${p.resource || ''}.${p.operation}`;
			if (!caps.operations.has(op)) missing.push(`operation ${op}`);
		}
	}
	return missing;
}

/** True when the workflow starts from a Manual Trigger (so `n8n execute` can run it). */
function isManual(workflow) {
	return (workflow.nodes || []).some((n) => n.type === 'n8n-nodes-base.manualTrigger');
}

/** Items (json) a node output in a run: runData[node][run].data.main[output]. */
function nodeOutput(runData, nodeName, { run = 0, output = 0 } = {}) {
	const runs = runData && runData[nodeName];
	if (!runs || !runs[run]) return undefined;
	const main = runs[run].data && runs[run].data.main;
	return ((main && main[output]) || []).map((item) => item.json);
}

/** Full items (json + binary + pairedItem) a node output. */
function nodeItems(runData, nodeName, { run = 0, output = 0 } = {}) {
	const runs = runData && runData[nodeName];
	if (!runs || !runs[run]) return undefined;
	const main = runs[run].data && runs[run].data.main;
	return (main && main[output]) || [];
}

/** Per node, the error message of its first failing run, if any. */
function nodeErrors(runData) {
	const errors = {};
	for (const [name, runs] of Object.entries(runData || {})) {
		const failed = runs.find((r) => r.error);
		if (failed)
			errors[name] =
				failed.error.message + (failed.error.description ? ` (${failed.error.description})` : '');
	}
	return errors;
}

module.exports = {
	PACKAGE_NAME,
	CREDENTIAL_TYPE,
	workflowIdFor,
	substitute,
	templateVars,
	bindCredential,
	loadWorkflows,
	packageCapabilities,
	missingCapabilities,
	isManual,
	nodeOutput,
	nodeItems,
	nodeErrors,
};
