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
			hint: 'Legacy domain: https://www.demarches-simplifiees.fr. Forks: https://www.mes-demarches.gov.pf, https://demarches.adullact.org. Do not add /api/v2/graphql.',
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

	// `{ __typename }` is the cheapest query that needs a valid token: the platform answers 403
	// (bad token, forbidden network) or 401 (expired) before running it.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{$credentials.baseUrl.trim().replace(/\\/+$/, "").replace(/\\/api\\/v2\\/graphql$/, "").replace(/\\/+$/, "")}}',
			url: '/api/v2/graphql',
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: { query: 'query CredentialTest { __typename }', operationName: 'CredentialTest' },
			json: true,
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Token expired (HTTP 401). Create a new token in your administrateur profile (/profil) and paste it here.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'Token refused (HTTP 403): either the token is wrong ("Without a token, only persisted queries are allowed") or this n8n server\'s IP address is not in the token\'s allowed networks ("Request issued from a forbidden network"). Check the token and the instance URL, or add this server\'s IP to the token in /profil.',
				},
			},
		],
	};
}
