'use strict';
/**
 * An ICredentialsHelper that behaves like n8n's CLI CredentialsHelper for what our nodes use,
 * with an in-memory store in place of the database:
 * - getDecrypted: the stored data plus the credential type's defaults, expressions resolved;
 * - authenticate: the credential class's real `authenticate` (a function, or `generic` whose
 *   `={{$credentials.x}}` values are resolved by the workflow's expression engine);
 * - preAuthentication: run when the type has an expirable hidden property that is empty or
 *   expired; the result is written back to the store, as n8n writes it to the database.
 */
const { Credentials, getAdditionalKeys } = require('n8n-core');
const {
	deepCopy,
	ICredentialsHelper,
	NodeHelpers,
	UnexpectedError,
	Workflow,
} = require('n8n-workflow');

const { credentialParentTypes, loadCredentialType } = require('./engine-types');

// Credentials resolved outside a node execution use a placeholder node, as the CLI does.
const placeholderNode = {
	id: 'credentials-placeholder',
	name: '',
	type: 'placeholder',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};
const placeholderType = { description: { properties: [] } };
const placeholderNodeTypes = {
	getByName: () => placeholderType,
	getByNameAndVersion: () => placeholderType,
	getKnownTypes: () => ({}),
};

const isExpression = (value) => typeof value === 'string' && value.startsWith('=');

class EngineCredentialsHelper extends ICredentialsHelper {
	/**
	 * @param {Record<string, object>} credentials data per credential type name,
	 *   e.g. `{ demarcheNumeriqueApi: { baseUrl, token } }`
	 */
	constructor(credentials = {}) {
		super();
		/** What the "database" holds; preAuthentication and updates write here. */
		this.store = deepCopy(credentials);
	}

	getParentTypes(name) {
		return credentialParentTypes(name);
	}

	getCredentialsProperties(type) {
		const credentialType = loadCredentialType(type);
		if (!credentialType.extends) return credentialType.properties;
		const merged = [];
		for (const parent of credentialType.extends) {
			NodeHelpers.mergeNodeProperties(merged, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(merged, credentialType.properties);
		return merged;
	}

	storedData(nodeCredentials, type) {
		const data = this.store[type];
		if (data === undefined) {
			// The CLI's CredentialNotFoundError wording.
			throw new UnexpectedError(
				`Credential with ID "${nodeCredentials?.id ?? ''}" does not exist for type "${type}".`,
			);
		}
		return data;
	}

	async getCredentials(nodeCredentials, type) {
		const credentials = new Credentials(
			{ id: nodeCredentials.id, name: nodeCredentials.name },
			type,
		);
		credentials.setData(deepCopy(this.storedData(nodeCredentials, type)));
		return credentials;
	}

	async getDecrypted(
		additionalData,
		nodeCredentials,
		type,
		mode,
		executeData,
		raw,
		expressionResolveValues,
	) {
		// A fresh copy per call, like a fresh decryption: a node mutating it changes nothing stored.
		const original = deepCopy(this.storedData(nodeCredentials, type));
		if (raw === true) return original;

		let data = NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			original,
			true,
			false,
			null,
			null,
		);
		if (original.oauthTokenData !== undefined) data.oauthTokenData = original.oauthTokenData;
		if (!Object.values(data).some(isExpression)) return data;

		const additionalKeys = getAdditionalKeys(additionalData, mode, null);
		if (expressionResolveValues) {
			const { workflow, runExecutionData, runIndex, itemIndex, node, connectionInputData } =
				expressionResolveValues;
			data = workflow.expression.getParameterValue(
				data,
				runExecutionData,
				runIndex,
				itemIndex,
				node.name,
				connectionInputData,
				mode,
				additionalKeys,
				executeData,
				false,
				data,
			);
		} else {
			const workflow = new Workflow({
				nodes: [placeholderNode],
				connections: {},
				active: false,
				nodeTypes: placeholderNodeTypes,
			});
			data = workflow.expression.getComplexParameterValue(
				placeholderNode,
				data,
				mode,
				additionalKeys,
				undefined,
				undefined,
				data,
			);
		}
		return data;
	}

	async authenticate(credentials, typeName, requestOptions, workflow, node) {
		const { authenticate } = loadCredentialType(typeName);
		if (authenticate === undefined) return requestOptions;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (authenticate.type !== 'generic') return requestOptions;

		const resolve = (value) => {
			if (!isExpression(value)) return value;
			const resolved = workflow.expression.getSimpleParameterValue(
				node,
				value,
				'internal',
				{ $credentials: credentials },
				undefined,
				'',
			);
			return resolved ? String(resolved) : '';
		};
		requestOptions.headers ??= {};
		for (const [section, entries] of Object.entries(authenticate.properties)) {
			requestOptions[section] ??= {};
			for (const [key, value] of Object.entries(entries)) {
				requestOptions[section][resolve(key)] = resolve(value);
			}
		}
		return requestOptions;
	}

	async preAuthentication(helpers, credentials, typeName, node, credentialsExpired) {
		const credentialType = loadCredentialType(typeName);
		if (typeof credentialType.preAuthentication !== 'function') return undefined;
		const expirable = credentialType.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (expirable === undefined) return undefined;
		if (credentials[expirable.name] !== '' && !credentialsExpired) return undefined;

		const output = await credentialType.preAuthentication.call(helpers, credentials);
		if (output[expirable.name] === undefined) return undefined;
		if (node.credentials?.[typeName]) {
			this.store[typeName] = { ...this.store[typeName], ...output };
		}
		return Object.assign(credentials, output);
	}

	async updateCredentials(_nodeCredentials, type, data) {
		this.store[type] = deepCopy(data);
	}

	async updateCredentialsOauthTokenData(_nodeCredentials, type, data) {
		this.store[type] = { ...this.store[type], oauthTokenData: deepCopy(data.oauthTokenData) };
	}
}

module.exports = { EngineCredentialsHelper };
