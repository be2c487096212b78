// The session glossaries in the sessions table (LLT_SESSIONS_TABLE), read by version and kept per execution
// environment: platform's CachedSessionGlossaries, which is this service's GlossaryStore.
export { CachedSessionGlossaries as DynamoGlossaryStore } from '@llt/platform';
