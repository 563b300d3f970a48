//! Discord adapters. Everything here translates: Discord's requests into
//! the core's commands, and the core's [`Reply`](crate::reply::Reply) into
//! Discord's messages. [`interactions`] answers an interaction whichever
//! way it arrived (gateway or HTTP endpoint), so both give identical
//! replies.

pub mod interactions;
pub mod register;
pub mod render;
