//! Integration tests of session-server over real HTTP on loopback (in-process server, fake clock).

mod common;

mod auth;
mod cli;
mod hooks;
mod http;
mod jwt;
mod metadata;
