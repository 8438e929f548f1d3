// Does nothing: its activation time is what the extension host spends on any extension (loading, storage, API object).
exports.activate = () => ({ probe: true });
exports.deactivate = () => undefined;
