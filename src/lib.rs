//! A Discord bot that helps people choose between the two Scrum product
//! owner certifications, CSPO (Scrum Alliance) and PSPO (Scrum.org).
//!
//! The crate is one core and three thin adapters. The core knows nothing of
//! Discord: [`knowledge`] loads and validates the human-editable knowledge
//! base, [`matcher`] finds the topic a question is about, and [`commands`]
//! turn a request into a transport-neutral [`reply::Reply`]. The adapters
//! render that reply for a terminal ([`console`]), Discord's gateway
//! ([`discord`]) and Discord's HTTP interactions endpoint ([`http`]); each
//! enforces nothing of its own, because the reply is already within
//! Discord's [`limits`] when it is built.

pub mod batch;
pub mod cli;
pub mod commands;
pub mod config;
pub mod console;
pub mod conversation;
pub mod discord;
pub mod faq;
pub mod healthcheck;
pub mod http;
pub mod knowledge;
pub mod limits;
pub mod matcher;
pub mod ops;
pub mod reply;

pub use faq::Faq;
