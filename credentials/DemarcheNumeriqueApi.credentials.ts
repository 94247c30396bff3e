import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * An administrateur's API token for one instance of the platform (the canonical one, the legacy
 * domain, or a fork). The base URL is normalised by the expression below so that a pasted
 * `…/api/v2/graphql` or a trailing slash still works.
 */
export class DemarcheNumeriqueApi implements ICredentialType {
	name = 'demarcheNumeriqueApi';

	displayName = 'Démarche Numérique API';

	icon: Icon = {
		light: 'file:../nodes/DemarcheNumerique/demarcheNumerique.svg',
		dark: 'file:../nodes/DemarcheNumerique/demarcheNumerique.dark.svg',
	};

	documentationUrl =
		'https://github.com/n8n-nodes-demarche-numerique/n8n-nodes-demarche-numerique#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Instance URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://demarche.numerique.gouv.fr',
			required: true,
			placeholder: 'https://demarche.numerique.gouv.fr',
			hint: 'Legacy domain: https://www.demarches-simplifiees.fr. Forks: https://www.mes-demarches.gov.pf, https://demarches.adullact.org. Do not add /api/v2/graphql. Use https:// (http:// is accepted only for localhost and 127.0.0.1, e.g. the sandbox).',
			description: 'Address of the platform instance your token belongs to',
		},
		{
			displayName: 'API Token',
			name: 'token',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'Token created by an administrateur in their profile (/profil → "Jeton d’accès à l’API"). Give it write access to change dossiers, and allow the IP address of this n8n server.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.token}}',
			},
		},
	};

	// `{ __typename }` is the cheapest query that needs a valid token. An http:// URL other than this
	// machine's becomes a `data:` URL: the test then reads a local answer, nothing leaves, and the
	// last rule explains why (the nodes refuse such a URL with the same explanation). n8n's credential tester never
	// shows an error response's body, so the request keeps every answer (ignoreHttpStatusErrors)
	// and the rules below read the platform's own message from it.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{$credentials.baseUrl.trim().replace(/^(?!https?:\\/\\/)/i, "https://").replace(/\\/+$/, "").replace(/\\/api\\/v2\\/graphql$/i, "").replace(/\\/+$/, "").replace(/^http:\\/\\/(?!(localhost|127\\.0\\.0\\.1|\\[::1\\])(:\\d+)?(\\/|$)).*$/i, "data:text/plain,refused:http")}}',
			url: '/api/v2/graphql',
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: { query: 'query CredentialTest { __typename }', operationName: 'CredentialTest' },
			json: true,
			ignoreHttpStatusErrors: true,
		},
		rules: [
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errors[0].message',
					value: 'Token expired',
					message:
						'The platform says "Token expired" (HTTP 401). Create a new token in your administrateur profile (/profil) and paste it here.',
				},
			},
			{
				type: 'responseSuccessBody',
				properties: {
					key: 'errors[0].message',
					value: 'Without a token, only persisted queries are allowed',
					message:
						'The platform refused the token: "Without a token, only persisted queries are allowed" (HTTP 403). The token is wrong or revoked: copy it again from /profil, and check that the Instance URL is the instance that issued it.',
				},
			},
			{
				// Anything but `{"data":{"__typename":"Query"}}`: a forbidden network (its message names
				// the IP, so it cannot be matched exactly), a proxy page, a throttle, a wrong URL.
				type: 'responseSuccessBody',
				properties: {
					key: 'data.__typename',
					value: undefined,
					message:
						'The platform did not accept the test query. An http:// Instance URL is refused (the token would travel unencrypted): use https://, except for localhost or 127.0.0.1. If the token is restricted to IP networks, this n8n server\'s address is not allowed ("Request issued from a forbidden network"): run any Démarche Numérique node to see the exact address to add in /profil. Otherwise check the Instance URL (it must be the platform\'s address, e.g. https://demarche.numerique.gouv.fr) and the token.',
				},
			},
		],
	};
}
