//! Discord adapters. Everything here translates: Discord's requests into
//! the core's commands, and the core's [`Reply`](crate::reply::Reply) into
//! Discord's messages. [`interactions`] answers an interaction whichever
//! way it arrived (gateway or HTTP endpoint), so both give identical
//! replies. [`gateway`] runs the bot on serenity's gateway client,
//! [`handler`] answers its events, and [`messages`] decides which plain
//! messages it answers.

pub mod clicks;
pub mod digest;
pub mod direct_rest;
pub mod gateway;
pub mod handler;
pub mod interactions;
pub mod mentions;
pub mod messages;
pub mod register;
pub mod render;
pub mod retry;
pub mod threads;
pub mod webhooks;
