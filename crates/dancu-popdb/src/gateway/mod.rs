//! The gateways: LGSP, C06 direct and the provincial JSON API, over HTTP.
