'use strict';
/**
 * The test-only start node of harness workflows: it emits the `input` items given to runWorkflow,
 * storing their binary buffers through `this.helpers.prepareBinaryData`, exactly as an upstream n8n
 * node (HTTP Request, Read File…) would. Buffers cannot travel in node parameters, so the items
 * wait in a registry and the node parameter only carries their key.
 */
const { NodeConnectionTypes, UnexpectedError } = require('n8n-workflow');

/** Package prefix of node types that exist only in tests. */
const TEST_PACKAGE = 'engine-test';
const START_NODE_TYPE = `${TEST_PACKAGE}.start`;
const START_NODE_NAME = 'Start';

const pendingInputs = new Map();
let nextInputKey = 0;

/** Parks the items of one run; returns the key the start node's `inputKey` parameter holds. */
function parkInput(items) {
	const key = `input-${++nextInputKey}`;
	pendingInputs.set(key, items);
	return key;
}

function releaseInput(key) {
	pendingInputs.delete(key);
}

class EngineStart {
	constructor() {
		this.description = {
			displayName: 'Engine Test Start',
			name: 'start',
			group: ['input'],
			version: 1,
			description: 'Emits the items a harness test provides',
			defaults: { name: START_NODE_NAME },
			inputs: [],
			outputs: [NodeConnectionTypes.Main],
			properties: [{ displayName: 'Input Key', name: 'inputKey', type: 'string', default: '' }],
		};
	}

	async execute() {
		const key = this.getNodeParameter('inputKey', 0);
		const items = pendingInputs.get(key);
		if (!items) throw new UnexpectedError(`No parked input under "${key}"`);

		const output = [];
		for (const item of items) {
			const emitted = { json: item.json ?? {} };
			if (item.binary) {
				emitted.binary = {};
				for (const [property, file] of Object.entries(item.binary)) {
					const buffer = Buffer.isBuffer(file.data) ? file.data : Buffer.from(file.data);
					emitted.binary[property] = await this.helpers.prepareBinaryData(
						buffer,
						file.fileName,
						file.mimeType,
					);
				}
			}
			output.push(emitted);
		}
		return [output];
	}
}

module.exports = {
	EngineStart,
	START_NODE_NAME,
	START_NODE_TYPE,
	TEST_PACKAGE,
	parkInput,
	releaseInput,
};
