export { startClusterView, type ClusterView, type ClusterViewOptions } from './proxy';
export { DEFAULT_VIEW_RULES, type ViewRules } from './rules';
