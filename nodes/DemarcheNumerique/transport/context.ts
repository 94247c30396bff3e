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

export async function getDnCredentials(ctx: DnFunctions): Promise<DnCredentials> {
	const credentials = await ctx.getCredentials<{ baseUrl?: string; token?: string }>(
		CREDENTIAL_TYPE,
	);
	return {
		baseUrl: normalizeBaseUrl(String(credentials.baseUrl ?? '')),
		token: String(credentials.token ?? ''),
	};
}
