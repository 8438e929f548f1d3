/**
 * Everything heavy the extension needs (the engine with its Kubernetes and telemetry clients, the OpenAI-compatible
 * agents), bundled apart as dist/extension-engine.js and loaded on first use, so activation only parses a small file.
 */
export { Engine } from '../engine';
export { createAgent, listAgents } from '../agents/registry';
export { endpointChat, resolveEndpoint } from './byo/endpoint-chat';
export { checkRecoveredApps, formatRecoveryReport } from '../cli/recover-report';
export { appManifestsDir } from '../env/app-paths';
export { sessionProcessAlive } from '../env/journal';
export { runSuite } from '../engine/suite';
