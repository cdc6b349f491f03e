//! The crypto of PROTOCOL.md §6–7 and this SDK's AES-256-GCM scheme.
