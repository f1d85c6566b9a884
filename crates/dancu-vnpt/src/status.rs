//! iGate's own dossier statuses, kept apart from the national codes and
//! mapped only at the national-portal boundary.

use dancu_core::dossier::DossierStatus;

/// A dossier status as iGate tracks it internally.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IgateStatus {
    /// Chờ tiếp nhận (online, not yet received).
    WaitingForIntake,
    /// Đã tiếp nhận.
    Received,
    /// Đang xử lý.
    InProgress,
    /// Chờ bổ sung.
    WaitingForSupplement,
    /// Tạm dừng.
    Paused,
    /// Có kết quả.
    HasResult,
    /// Đã trả kết quả.
    Returned,
    /// Đã hủy / từ chối.
    Cancelled,
    /// Công dân rút hồ sơ.
    Withdrawn,
}

impl IgateStatus {
    /// iGate's Vietnamese label.
    #[must_use]
    pub const fn label_vi(self) -> &'static str {
        match self {
            Self::WaitingForIntake => "Chờ tiếp nhận",
            Self::Received => "Đã tiếp nhận",
            Self::InProgress => "Đang xử lý",
            Self::WaitingForSupplement => "Chờ bổ sung",
            Self::Paused => "Tạm dừng",
            Self::HasResult => "Có kết quả",
            Self::Returned => "Đã trả kết quả",
            Self::Cancelled => "Đã hủy",
            Self::Withdrawn => "Công dân rút hồ sơ",
        }
    }

    /// The national-portal status this is reported as; the one place the
    /// two schemes meet.
    #[must_use]
    pub const fn to_national(self) -> DossierStatus {
        match self {
            Self::WaitingForIntake => DossierStatus::NewlyRegistered,
            Self::Received => DossierStatus::Received,
            Self::InProgress => DossierStatus::Processing,
            Self::WaitingForSupplement => DossierStatus::SupplementRequested,
            Self::Paused => DossierStatus::Stopped,
            Self::HasResult => DossierStatus::Processed,
            Self::Returned => DossierStatus::ResultReturned,
            Self::Cancelled => DossierStatus::NotReceived,
            Self::Withdrawn => DossierStatus::WithdrawalRequested,
        }
    }
}
