import type {
	IExecuteFunctions,
	IHookFunctions,
	ILoadOptionsFunctions,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

/** Every n8n context our nodes call the platform from. */
export type DnFunctions =
	| IExecuteFunctions
	| IPollFunctions
	| ILoadOptionsFunctions
	| IHookFunctions
	| IWebhookFunctions;

export const CREDENTIAL_TYPE = 'demarcheNumeriqueApi';

export interface DnCredentials {
	baseUrl: string;
	token: string;
}

/**
 * Accepts what users paste: a trailing slash, or the whole GraphQL endpoint. Returns the origin
 * plus any path prefix a fork may serve under.
 */
export function normalizeBaseUrl(raw: string): string {
	let url = (raw ?? '').trim();
	if (url && !/^https?:\/\//i.test(url)) url = `https://${url}`;
	url = url.replace(/\/+$/, '');
	url = url.replace(/\/api\/v2\/graphql$/i, '');
	return url.replace(/\/+$/, '');
}

/** Hosts where an unencrypted `http://` URL cannot expose the token to a network: this machine. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why the token must not be sent to this instance URL, or undefined: it needs a scheme and a
 * host, and `https://` unless it is this machine (the sandbox); the token would otherwise cross
 * the network in clear text.
 */
export function instanceUrlProblem(baseUrl: string): { message: string; description: string } | undefined {
	const match = /^(https?):\/\/([^/?#]+)/i.exec(baseUrl);
	if (!match) {
		return {
			message: 'The credential has no valid instance URL',
			description:
				'Set "Instance URL" in the Démarche Numérique credential, e.g. https://demarche.numerique.gouv.fr.',
		};
	}
	const host = match[2].replace(/:\d+$/, '').toLowerCase();
	if (match[1].toLowerCase() === 'http' && !LOOPBACK_HOSTS.has(host)) {
		return {
			message: `The instance URL ${baseUrl} uses http://, which would send the token unencrypted`,
			description: `Change "Instance URL" in the Démarche Numérique credential to https://${match[2]}${baseUrl.slice(match[0].length)}. Plain http:// is accepted only for this machine (localhost, 127.0.0.1), e.g. the sandbox.`,
		};
	}
	return undefined;
}

export async function getDnCredentials(ctx: DnFunctions): Promise<DnCredentials> {
	const credentials = await ctx.getCredentials<{ baseUrl?: string; token?: string }>(
		CREDENTIAL_TYPE,
	);
	return {
		baseUrl: normalizeBaseUrl(String(credentials.baseUrl ?? '')),
		token: String(credentials.token ?? ''),
	};
}
