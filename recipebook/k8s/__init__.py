"""The Kubernetes path, checked offline: versions, rendering, schema validation, policy, image requirement sets."""
