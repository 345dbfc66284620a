//! A stateful, in-memory emulation of Hex's public REST API v1.
