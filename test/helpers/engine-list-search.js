'use strict';
/**
 * A resource locator's "From List" as the editor asks it: n8n's DynamicNodeParametersService
 * builds a one-node workflow ("Temp-Node") from the parameters the editor holds, sets them as
 * `additionalData.currentNodeParameters`, and calls the node's `methods.listSearch[method]` with a
 * real n8n-core LoadOptionsContext, so HTTP goes through n8n's httpRequestWithAuthentication and
 * the credential as in the editor.
 *
 *   const { results } = await runListSearch({
 *     type: NODE_TYPES.action, parameters: { resource: 'dossier', operation: 'addLabel', dossier },
 *     method: 'searchLabels', credentials: { demarcheNumeriqueApi: { baseUrl, token } },
 *   });
 */
const { ensureEngine } = require('./engine-setup');
const { LoadOptionsContext } = require('n8n-core');
const { deepCopy, UnexpectedError, Workflow } = require('n8n-workflow');

const { EngineCredentialsHelper } = require('./engine-credentials');
const { loadNodeType, nodeTypes } = require('./engine-types');

const INSTANCE_URL = 'http://127.0.0.1:5678';

function latestVersion(nodeType) {
	if ('nodeVersions' in nodeType) return nodeType.currentVersion;
	const { version } = nodeType.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

/**
 * @param {{type: string, typeVersion?: number, parameters: object, method: string, path?: string,
 *   filter?: string, paginationToken?: string, credentials: Record<string, object>}} options
 * @returns {Promise<import('n8n-workflow').INodeListSearchResult>}
 */
async function runListSearch(options) {
	await ensureEngine();
	const nodeType = loadNodeType(options.type);
	const typeVersion = options.typeVersion ?? latestVersion(nodeType);
	const versioned = nodeTypes.getByNameAndVersion(options.type, typeVersion);
	const method = versioned.methods?.listSearch?.[options.method];
	if (!method) throw new UnexpectedError(`${options.type} has no listSearch method ${options.method}`);
	const parameters = deepCopy(options.parameters ?? {});
	const node = {
		id: 'temp-node-id',
		name: 'Temp-Node',
		type: options.type,
		typeVersion,
		position: [0, 0],
		parameters,
		credentials: Object.fromEntries(
			Object.keys(options.credentials ?? {}).map((name) => [name, { id: `${name}-id`, name: `${name} (test)` }]),
		),
	};
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	const additionalData = {
		credentialsHelper: new EngineCredentialsHelper(options.credentials ?? {}),
		currentNodeParameters: parameters,
		restApiUrl: `${INSTANCE_URL}/rest`,
		instanceBaseUrl: `${INSTANCE_URL}/`,
		webhookBaseUrl: `${INSTANCE_URL}/webhook`,
		webhookWaitingBaseUrl: `${INSTANCE_URL}/webhook-waiting`,
		webhookTestBaseUrl: `${INSTANCE_URL}/webhook-test`,
		formWaitingBaseUrl: `${INSTANCE_URL}/form-waiting`,
		variables: {},
	};
	const context = new LoadOptionsContext(workflow, workflow.nodes['Temp-Node'], additionalData, options.path ?? 'parameters');
	return await method.call(context, options.filter, options.paginationToken);
}

module.exports = { runListSearch };
