//! Typed async client for Hex's public REST API v1.
