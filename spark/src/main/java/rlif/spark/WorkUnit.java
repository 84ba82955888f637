package rlif.spark;

import java.io.Serializable;

/**
 * One Spark task's work: problems {@code [from, to)} of the data set, every sample of each, on one model.
 *
 * @param index the unit's position in the job, which is also its Spark partition
 * @param model the model's position in the job's model list
 */
record WorkUnit(int index, int model, int from, int to) implements Serializable {
    int problems() {
        return to - from;
    }
}
