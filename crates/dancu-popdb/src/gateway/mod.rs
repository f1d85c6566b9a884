//! The gateways: LGSP, C06 direct and the provincial JSON API, over HTTP,
//! and the SOAP codec they share (public, so the sandbox can play the
//! server side).

pub mod soap;
mod xml;
