"""Association between categorical variables, named and parametrised as in ``torchmetrics.functional.nominal``."""

from metrix.nominal._chi_squared import cramers_v as cramers_v
from metrix.nominal._chi_squared import pearsons_contingency_coefficient as pearsons_contingency_coefficient
from metrix.nominal._chi_squared import tschuprows_t as tschuprows_t
from metrix.nominal._fleiss_kappa import fleiss_kappa as fleiss_kappa
from metrix.nominal._matrix import cramers_v_matrix as cramers_v_matrix
from metrix.nominal._matrix import pearsons_contingency_coefficient_matrix as pearsons_contingency_coefficient_matrix
from metrix.nominal._matrix import theils_u_matrix as theils_u_matrix
from metrix.nominal._matrix import tschuprows_t_matrix as tschuprows_t_matrix
from metrix.nominal._theils_u import theils_u as theils_u
